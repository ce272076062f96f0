"""Use cases: each public function is one action, checks its rules, and commits once."""
