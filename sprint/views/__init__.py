"""One blueprint per area; each role blueprint guards itself."""
