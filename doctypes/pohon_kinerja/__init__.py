"""The Pohon Kinerja (performance tree): the cascade of a set of PKs drawn as a diagram, and the
Matriks Cascading."""
