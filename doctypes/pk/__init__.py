"""The Perjanjian Kinerja (PK)."""
