"""Models of the estimation app."""
