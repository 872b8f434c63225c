"""HTTP surface shared by every route function: resolver factory, error map, Lambda entry point."""
