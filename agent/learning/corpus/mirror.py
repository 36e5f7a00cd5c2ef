"""Read files from bare git mirrors (as the `fetch` tool leaves them under /work/.mirror)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MIRRORS = Path(os.environ.get("TRIAGE_MIRRORS", "/work/.mirror"))

# Never read, whatever a caller asks: the held-out evaluation sources (GUIDE, issue #11).
HELD_OUT = ("bgl", "sigmahq", "gitlab-com", "karolzak", "endava", "automatic-ticket-assignment",
            "automatic_ticket_assignment")


class MirrorMissing(RuntimeError):
    """A source's mirror is not on this machine (fetch it first)."""


@dataclass(frozen=True)
class Mirror:
    """One bare git mirror of a public repository, read at its HEAD commit."""

    repo: str  # owner/name
    git_dir: Path

    @classmethod
    def open(cls, repo: str, root: Path = DEFAULT_MIRRORS) -> Mirror:
        """The mirror of owner/name under root (root/owner+name/repo), or MirrorMissing."""
        git_dir = root / repo.replace("/", "+") / "repo"
        if not (git_dir / "HEAD").is_file():
            raise MirrorMissing(f"no mirror of {repo} under {root}; fetch github:{repo} first")
        return cls(repo, git_dir)

    def _git(self, *args: str) -> str:
        out = subprocess.run(["git", "--git-dir", str(self.git_dir), *args], check=True,
                             capture_output=True, text=True, errors="replace")
        return out.stdout

    def commit(self) -> str:
        """The commit the corpus is read at."""
        return self._git("rev-parse", "HEAD").strip()

    def paths(self) -> list[str]:
        """Every file path at HEAD, held-out paths removed."""
        return [p for p in self._git("ls-tree", "-r", "--name-only", "HEAD").splitlines()
                if not any(h in p.lower() for h in HELD_OUT)]

    def read(self, path: str) -> str:
        """One file's text at HEAD (refuses held-out paths)."""
        if any(h in path.lower() for h in HELD_OUT):
            raise PermissionError(f"{path} belongs to a held-out evaluation source")
        return self._git("show", f"HEAD:{path}")

    def read_many(self, paths: list[str]) -> Iterator[tuple[str, str]]:
        """(path, text) for many files at HEAD through one `git cat-file --batch` process."""
        wanted = [p for p in paths if not any(h in p.lower() for h in HELD_OUT)]
        if not wanted:
            return
        out = subprocess.run(["git", "--git-dir", str(self.git_dir), "cat-file", "--batch"],
                             input="".join(f"HEAD:{p}\n" for p in wanted).encode(),
                             check=True, capture_output=True).stdout
        pos = 0
        for path in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[-1] == b"missing":
                continue
            size = int(header[2])
            yield path, out[pos:pos + size].decode("utf-8", errors="replace")
            pos += size + 1
