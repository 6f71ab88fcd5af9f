"""Grid family: a pure numpy grid engine, its renderer and the grid environments."""
