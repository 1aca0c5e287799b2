from damrongdham.cli import main

raise SystemExit(main())
