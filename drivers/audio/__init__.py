"""Speech: a voice that turns text into WAV (espeak-ng offline by default, any installed
voice behind the same small interface) and a player that sends it to the speaker or headset."""
