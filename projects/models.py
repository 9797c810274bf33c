"""Lead projects, their teams, living results and templates. Models arrive with their issue."""
