"""Progress bars stay plain text inside a notebook kernel (no ipywidgets)."""

import nbformat
from nbclient import NotebookClient

CODE = """
import torch
from normlib.capacity import weight_decay_sweep
from normlib.progress import progress
for _ in progress(range(3), desc="loop"):
    pass
X = torch.randn(20, 3); y = torch.randint(0, 2, (20,))
weight_decay_sweep(lambda: torch.nn.Linear(3, 2), (X, y), (X, y), [0.0], epochs=2, progress=True)
"""


def test_progress_bars_are_text_streams_in_a_kernel():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    mimes = {m for o in outputs for m in o.get("data", {})}
    assert not any("widget" in m for m in mimes), mimes
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "loop" in text
    assert "weight decay sweep" in text
    assert all(o.get("name") != "stderr" for o in outputs if o.output_type == "stream")
