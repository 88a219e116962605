"""The orders stack (docs/your-service.md) runs the project's own program, unchanged."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[2] / "__main__.py"), run_name="__main__")
