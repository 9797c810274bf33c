"""Steering committee, meetings, proposals and agreements. Models arrive with their issue."""
