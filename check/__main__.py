from check.cli import main

raise SystemExit(main())
