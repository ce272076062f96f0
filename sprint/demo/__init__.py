"""The demo program: three past summers and a live season, built from a seed (`loader`) and invented facts (`facts`)."""
