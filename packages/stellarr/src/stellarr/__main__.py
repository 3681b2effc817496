from stellarr.cli import main

raise SystemExit(main())
