"""drivers stage."""
