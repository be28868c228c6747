"""``python -m bench.eval``."""

from bench.eval import main

raise SystemExit(main())
