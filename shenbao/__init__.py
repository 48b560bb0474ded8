"""shenbao: the application layer that wires files, the engine, the store and the renderers."""
