"""baimo: a discrete-event simulator of China's large-model market (the hundred-model war)."""

__version__ = "0.1.0"
