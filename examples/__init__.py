"""Trees built from the engine alone, each a package beside the shipped ``states/``."""
