"""``python -m paygate_cli``: the ``paygate`` command without its installed script."""

from paygate_cli.main import main

raise SystemExit(main())
