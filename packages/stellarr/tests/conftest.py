pytest_plugins = ["stellarr_testing.plugin"]
