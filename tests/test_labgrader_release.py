"""labgrader release: the student version holds no solution line and no hidden test."""

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # until labgrader is installed

from labgrader.lab import LabError, load_lab  # noqa: E402
from labgrader.release import LeakError, release_lab, scan, strip_code  # noqa: E402

LABS = sorted(p.parent for p in (REPO / "labs").glob("*/lab.toml"))


def cli(*args, cwd=REPO):
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    return subprocess.run([sys.executable, "-m", "labgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def marked_lines(lab):
    """``(solution, hidden)``: the lines inside solution blocks, and those inside hidden
    blocks or hidden cells, found with plain string logic (independent of labgrader.release)."""
    nb = json.loads(lab.notebook.read_text())
    solution, hidden = [], []
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if "hidden" in cell.get("metadata", {}).get("tags", []):
            hidden += source.splitlines()
            continue
        block = None
        for line in source.splitlines():
            if "BEGIN SOLUTION" in line or "BEGIN HIDDEN" in line:
                block = "SOLUTION" if "SOLUTION" in line else "HIDDEN"
            elif "END SOLUTION" in line or "END HIDDEN" in line:
                block = None
            elif block is not None:
                (solution if block == "SOLUTION" else hidden).append(line)
    return solution, hidden


def secret_lines(lab):
    """The marked lines a leak scan looks for: long enough, not comments or imports."""
    solution, hidden = marked_lines(lab)
    keep = []
    for line in solution + hidden:
        text = line.strip()
        if len(text) >= 10 and not text.startswith(("#", "import ", "from ")):
            keep.append(text)
    return keep


def hidden_names(lab):
    names = []
    for path in lab.hidden_files():
        tree = ast.parse(path.read_text())
        names += [n.name for n in ast.walk(tree)
                  if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    return names


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "student"
    result = cli("release", *map(str, LABS), "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout)


@pytest.mark.parametrize("lab_dir", LABS, ids=[p.name for p in LABS])
def test_release_leaks_no_solution_line_and_no_hidden_test(released, lab_dir):
    out, _ = released
    lab = load_lab(lab_dir)
    folder = out / lab.id
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    names = {p.name for p in files}
    assert "INSTRUCTOR.md" not in names and not (folder / "hidden_tests").exists()
    assert {lab.notebook.name, "public_tests.py", "labcheck.py"} <= names
    text = "\n".join(p.read_text(errors="replace") for p in files)
    secrets = secret_lines(lab)
    assert len(secrets) >= len(lab.exercises)
    leaked = [s for s in secrets if s in text]
    assert not leaked
    assert not [n for n in hidden_names(lab) if n in text]
    assert not [p for p in files if "hidden" in p.name]


@pytest.mark.parametrize("lab_dir", LABS, ids=[p.name for p in LABS])
def test_student_notebook_is_valid_with_stubs_for_every_function(released, lab_dir):
    out, _ = released
    lab = load_lab(lab_dir)
    nb = nbformat.read(out / lab.id / lab.notebook.name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    trees = [ast.parse(c.source) for c in code]
    stubs = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                raises = [n for n in ast.walk(node) if isinstance(n, ast.Raise)
                          and "NotImplementedError" in ast.unparse(n)]
                stubs[node.name] = bool(raises)
    assigned = {t.id for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name)}
    for ex in lab.exercises:
        for name in ex.functions:
            assert stubs.get(name) or name not in assigned, f"{ex.id}: {name} is not a stub"
            assert name in stubs or name not in assigned


def test_released_stub_keeps_indentation_and_hint():
    source = ("def f(x):\n    '''doc'''\n    # BEGIN SOLUTION\n    y = x + 1\n    return y\n"
              "    # END SOLUTION\n\n# BEGIN HIDDEN\nassert f(1) == 2\n# END HIDDEN\n"
              "if True:\n        # BEGIN SOLUTION use a loop\n        z = 3\n"
              "        # END SOLUTION\n")
    out, secrets = strip_code(source, exercise="q7")
    assert out.splitlines() == [
        "def f(x):", "    '''doc'''", '    raise NotImplementedError("q7: implement f")', "",
        "if True:", '        raise NotImplementedError("q7: use a loop")']
    assert secrets == ["    y = x + 1", "    return y", "assert f(1) == 2", "        z = 3"]
    ast.parse(out)


@pytest.mark.parametrize("source, match", [
    ("# BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n# END SOLUTION\n", "without a matching BEGIN"),
    ("# BEGIN SOLUTION\n# BEGIN HIDDEN\n# END HIDDEN\n# END SOLUTION\n", "inside an open"),
])
def test_unbalanced_markers_are_lab_errors(source, match):
    with pytest.raises(LabError, match=match):
        strip_code(source)


def _copy_lab(tmp_path):
    target = tmp_path / "lab"
    shutil.copytree(LABS[0], target)
    return target


def test_release_fails_loudly_on_a_leaked_solution_line(tmp_path):
    lab_dir = _copy_lab(tmp_path)
    secret = secret_lines(load_lab(lab_dir))[0]
    with open(lab_dir / "public_tests.py", "a") as handle:
        handle.write(f"\n\ndef _oops():\n    {secret}\n")
    result = cli("release", str(lab_dir), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "would leak" in result.stderr and "public_tests.py" in result.stderr
    assert not (tmp_path / "out" / load_lab(lab_dir).id).exists()


def test_release_fails_on_a_hidden_test_name(tmp_path):
    lab_dir = _copy_lab(tmp_path)
    name = hidden_names(load_lab(lab_dir))[0]
    with open(lab_dir / "drivers.py", "a") as handle:
        handle.write(f"\n\n# see {name}\n")
    with pytest.raises(LeakError, match=f"hidden test name '{name}'"):
        release_lab(load_lab(lab_dir), tmp_path / "out")


@pytest.mark.parametrize("setup, match", [
    (lambda d: (d / "lab.toml").unlink(), "has no lab.toml"),
    (lambda d: (d / "lab.toml").write_text("id = [broken"), "cannot be read"),
    (lambda d: shutil.rmtree(d / "hidden_tests"), "hidden_tests/"),
    (lambda d: (d / "lab.toml").write_text('id = "x"\ntitle = "t"\nexercises = []\n'),
     "not found|non-empty"),
])
def test_broken_labs_are_lab_errors(tmp_path, setup, match):
    lab_dir = _copy_lab(tmp_path)
    setup(lab_dir)
    with pytest.raises(LabError, match=match):
        load_lab(lab_dir)


def test_missing_or_broken_lab_is_exit_code_2(tmp_path):
    result = cli("release", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "lab folder not found" in result.stderr
    lab_dir = _copy_lab(tmp_path)
    (lab_dir / "lab.toml").write_text("id = [broken")
    result = cli("release", str(lab_dir), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "lab.toml cannot be read" in result.stderr


@pytest.mark.parametrize("command", [[], ["release"], ["grade"], ["export"], ["validate"]])
def test_help_everywhere(command):
    result = cli(*command, "--help")
    assert result.returncode == 0 and "usage: labgrader" in result.stdout


def test_scan_finds_solutions_in_highlighted_html(released, tmp_path):
    out, _ = released
    lab = load_lab(LABS[0])
    others = [out / p.name for p in LABS[1:]]
    assert scan(lab, out, public=others) == []
    secret = secret_lines(lab)[0]
    spans = " ".join(f'<span class="n">{w.replace("<", "&lt;").replace(">", "&gt;")}</span>'
                     for w in secret.split(" "))
    (tmp_path / "page.html").write_text(f"<html><pre>{spans}</pre></html>")
    assert scan(lab, tmp_path)
    leaky = cli("scan", str(LABS[0]), "--dir", str(tmp_path), "--json")
    assert leaky.returncode == 1
    assert json.loads(leaky.stdout)["leaks"][lab.id]


def test_scan_ignores_lines_published_elsewhere_but_not_real_leaks(tmp_path):
    """A solution line that stands verbatim in public material (another lab's student
    version, a book page) reveals nothing; a distinctive solution line still counts."""
    lab = load_lab(LABS[0])
    secrets = [ln for ln in secret_lines(lab) if len("".join(ln.split())) >= 16]
    generic, distinctive = secrets[0], secrets[1]
    public = tmp_path / "public.py"
    public.write_text(generic + "\n")
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.py").write_text(generic + "\n" + distinctive + "\n")
    found = scan(lab, site, public=[public])
    assert any(distinctive.strip() in f for f in found)
    assert not any(f.endswith(repr(generic.strip())) for f in found)
    assert any(generic.strip() in f for f in scan(lab, site))


@pytest.mark.parametrize("lab_dir", LABS, ids=[p.name for p in LABS])
def test_solved_notebook_keeps_solutions_drops_hidden_and_markers(lab_dir):
    """A perfect student's submission: every solution line, no marker, nothing hidden.
    Oracle: plain string logic over the source JSON."""
    from labgrader.release import solved_notebook

    lab = load_lab(lab_dir)
    solution, hidden = marked_lines(lab)
    solved = solved_notebook(nbformat.read(lab.notebook, as_version=4))
    nbformat.validate(solved)
    code = "\n".join(c.source for c in solved.cells if c.cell_type == "code").splitlines()
    assert solution and all(line in code for line in solution)
    assert not any("BEGIN SOLUTION" in line or "END SOLUTION" in line for line in code)
    distinctive = [h for h in hidden if len(h.strip()) > 20 and not h.strip().startswith("#")]
    assert distinctive and not any(h in code for h in distinctive if h not in solution)
    assert all(c.get("outputs", []) == [] for c in solved.cells if c.cell_type == "code")
    # leaving one exercise unsolved puts back exactly its stubs
    first = lab.exercises[0].id
    partial = solved_notebook(nbformat.read(lab.notebook, as_version=4), unsolved={first})
    stubs = [c.source for c in partial.cells if f'raise NotImplementedError("{first}:' in c.source]
    assert stubs and "NotImplementedError" not in "\n".join(
        c.source for c in solved.cells if c.cell_type == "code")
