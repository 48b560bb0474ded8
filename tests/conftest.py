"""Makes the helpers shared by several test folders (tests/imagefiles.py) importable."""
