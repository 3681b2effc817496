import sys

from stereospot.cli import main

sys.exit(main())
