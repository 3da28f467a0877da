"""Text models shared across stages: the frozen MiniLM sentence encoder."""
