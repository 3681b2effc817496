"""One module per subcommand; see stereospot.cli."""
