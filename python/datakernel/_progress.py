"""The default progress display of long runs: a tqdm bar when tqdm is installed and stderr is interactive (a
terminal or a notebook), else plain lines on stderr (one when a stage begins, one per 10% at most every 2 s, one
when it ends). Nothing is shown before the run has taken ``DELAY`` seconds, so short runs stay silent."""
import sys
import time
from typing import Any, Callable, Optional, Union

DELAY = 2.0  # seconds before anything is shown (progress=None); progress=True shows at once


def _interactive(stream: Any) -> bool:
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    return "ipykernel" in sys.modules


def _tqdm() -> Optional[type]:
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


class Display:
    """A progress callback ``(stage, done, total)`` that draws; ``close()`` ends the last bar."""

    def __init__(self, delay: float = 0.0, stream: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.start = time.monotonic()
        tqdm = _tqdm()
        self.tqdm = tqdm if tqdm is not None and _interactive(self.stream) else None
        self.stage: Optional[str] = None
        self.total = 0
        self.bar = None
        self.announced = False
        self.decile = -1
        self.last_line = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self._finish()
            self.stage, self.total, self.announced, self.decile = stage, total, False, -1
        if now - self.start < self.delay:
            return
        if self.tqdm is not None:
            self._bar(done, total)
        else:
            self._line(done, total, now)
        if total > 0 and done >= total:
            self._finish()
            self.stage = None

    def _bar(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = self.tqdm(total=total or None, desc=self.stage, initial=done, file=self.stream, leave=False,
                                 dynamic_ncols=True)
        else:
            self.bar.update(max(done - self.bar.n, 0))

    def _line(self, done: int, total: int, now: float) -> None:
        if not self.announced:
            self.announced, self.last_line = True, now
            self._write(f"datakernel: {self.stage}" + (f" ({total} steps)" if total > 0 else "") + " ...")
            return
        if total <= 0:
            return
        decile = min(10 * done // total, 10)
        if decile >= 10:
            self._write(f"datakernel: {self.stage}: done")
        elif decile > self.decile and now - self.last_line >= 2.0:
            self.decile, self.last_line = decile, now
            self._write(f"datakernel: {self.stage}: {done}/{total} ({100 * done // total}%)")

    def _write(self, line: str) -> None:
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stream never stops the run
            pass

    def _finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def close(self) -> None:
        self._finish()


def callback(progress: Union[None, bool, Callable[[str, int, int], Any]]):
    """(callback for the core, display to close): progress=None shows long runs, True always, False never; a
    callable is the user's own callback."""
    if progress is None or progress is True:
        display = Display(DELAY if progress is None else 0.0)
        return display, display
    if progress is False:
        return None, None
    if callable(progress):
        return progress, None
    raise TypeError(f"progress must be None, True, False or a callable (stage, done, total), got {type(progress).__name__}")
