"""Digits spoken in Mandarin, as a WAV made on this machine by espeak-ng (Debian's package,
installed by scripts/bootstrap.sh): the audio captcha. No service outside is asked."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

ESPEAK = "espeak-ng"
# Mandarin digits; 1 is read 幺 (yāo) as on the telephone, so it is not mistaken for 七 (qī).
SPOKEN = dict(zip("0123456789", "零幺二三四五六七八九"))
VOICE = ["-v", "cmn", "-s", "110", "-g", "12"]  # Mandarin, slow, a pause between words


def audio_available() -> bool:
    return shutil.which(ESPEAK) is not None


def speak(digits: str) -> bytes:
    """A WAV of the digits read one by one, a pause between them."""
    text = "，".join(SPOKEN[d] for d in digits)
    with tempfile.TemporaryDirectory() as folder:  # a file, so the WAV header has the real length
        path = Path(folder) / "speech.wav"
        subprocess.run([ESPEAK, *VOICE, "-w", str(path), text], capture_output=True, timeout=20, check=True)
        return path.read_bytes()
