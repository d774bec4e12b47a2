"""speech stage: an exhibit's text -> audio with phoneme timings (Piper, cached) -> the mouth
controls and captions, played against the audio clock (what the mixer has played)."""
