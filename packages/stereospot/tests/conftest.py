pytest_plugins = ["stereospot_testing.plugin"]
