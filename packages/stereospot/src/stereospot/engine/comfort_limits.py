"""How much parallax is comfortable, as a share of the frame width (%): the broadcast 3D
guideline (Sky 3D technical guidelines). Apart from the comfort meter so that the web
forms can show the limits without importing NumPy."""

FRONT_LIMIT_PCT = 1.0  # in front of the screen (crossed)
BEHIND_LIMIT_PCT = 2.0  # behind it
