"""Source systems: the connectors that pull from them and the simulator that plays them."""
