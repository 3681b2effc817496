"""Operator-side commands for the AWS deployment (`stereospot ops ...`)."""
