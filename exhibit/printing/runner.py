"""Print a set of panels: plan the files, preflight the content, render in a child process.

The calling process (the command line, or a web worker of the staff area) never imports
WeasyPrint: it runs the cheap content preflight, then hands the jobs to ``python -m
exhibit.printworker``, which has an address-space limit (``PRINT_MEMORY_MB``) and is killed
when one panel takes longer than ``PRINT_TIMEOUT_SECONDS``. The jobs after a failed one go on in
a fresh child.

For the staff area::

    from exhibit.printing import render_set, PrintFailed
    try:
        path = render_set(app, ["mercury-flows"], ["zh"], size="A0", out_dir=tmp)  # one PDF
        path = render_set(app, None, None, size="A1", out_dir=tmp)  # every panel, every language: a ZIP
    except PrintFailed as exc:
        exc.report.text()  # what to fix, per panel and language
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from ..content import Exhibition, Panel
from ..contentstore import get_store
from ..qr import panel_url
from ..settings import DEFAULTS
from .address import require_public_address
from .preflight import Problem, check_content, check_page
from .render import PrintOptions, file_name
from .sizes import parse_size


@dataclass(frozen=True)
class Job:
    """One PDF to make: a panel in a language (an exact version of it, when ``version`` is set:
    the published one may be older than the files')."""

    slug: str
    lang: str
    options: PrintOptions
    out: Path
    version: str = ""  # "": the panel as the files have it

    def to_dict(self) -> dict:
        return {"slug": self.slug, "lang": self.lang, "options": self.options.to_dict(),
                "out": str(self.out), "version": self.version}


def job_panel(app: Flask, slug: str, version: str = "") -> Panel | None:
    """The panel a job prints: the files' one, or the exact version asked for (a published
    version kept by the review since the files changed), or None."""
    panel = get_store(app).exhibition.panel(slug)
    if version and (panel is None or panel.version != version):
        from ..publication import panel_version

        return panel_version(app, slug, version)
    return panel


@dataclass
class JobResult:
    job: Job
    problems: list[Problem] = field(default_factory=list)
    path: Path | None = None
    bytes: int = 0
    pages: int = 0
    seconds: float = 0.0
    peak_rss_kb: int = 0  # the rendering child's peak resident memory so far
    type_scale: float = 1.0
    qr_url: str = ""  # where the file's QR code leads
    worker_pid: int = 0  # the rendering child that made it

    @property
    def ok(self) -> bool:
        return self.path is not None and not any(p.is_error for p in self.problems)


@dataclass
class RenderReport:
    """Every file of a print run, with its problems, and the totals for the summary."""

    results: list[JobResult]
    seconds: float = 0.0

    @property
    def files(self) -> list[Path]:
        return [r.path for r in self.results if r.ok and r.path]

    @property
    def errors(self) -> list[Problem]:
        return [p for r in self.results for p in r.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for r in self.results for p in r.problems if not p.is_error]

    @property
    def total_bytes(self) -> int:
        return sum(r.bytes for r in self.results if r.ok)

    @property
    def peak_rss_kb(self) -> int:
        return max((r.peak_rss_kb for r in self.results), default=0)

    def summary(self) -> str:
        return (f"{len(self.files)} file(s), {_megabytes(self.total_bytes)}, "
                f"{len(self.warnings)} warning(s), {len(self.errors)} error(s) "
                f"in {self.seconds:.1f} s")

    def text(self) -> str:
        """The whole report: one line per file, then every problem."""
        lines = []
        for r in self.results:
            name = r.path.name if r.path else r.job.out.name
            state = "ok" if r.ok else "NOT WRITTEN"
            lines.append(f"{name}: {state}" + (f", {_megabytes(r.bytes)}" if r.ok else ""))
            if r.qr_url:
                lines.append(f"  QR code: {r.qr_url}")
            lines += [f"  {p.level}: {p.message}" for p in r.problems]
        lines.append(self.summary())
        return "\n".join(lines) + "\n"


class PrintFailed(Exception):
    """Preflight or rendering found errors: no set was made. ``report`` says what to fix."""

    def __init__(self, report: RenderReport):
        super().__init__(f"{len(report.errors)} print error(s): " +
                         "; ".join(str(p) for p in report.errors[:3]))
        self.report = report


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


# -- planning --------------------------------------------------------------------------------

def plan(exhibition: Exhibition, slugs: Iterable[str] | None, langs: Iterable[str] | None,
         options: PrintOptions, out_dir: Path,
         draft: bool | Callable[[Panel], bool] = False) -> list[Job]:
    """The files to make, in exhibition order; ``None`` means every panel / every language.

    ``draft`` marks panels as not approved (the DRAFT mark): True for all, or a function of the
    panel (the review module's "is this version approved?").
    """
    wanted = list(slugs) if slugs else [p.slug for p in exhibition.panels]
    unknown = [s for s in wanted if exhibition.panel(s) is None]
    if unknown:
        raise LookupError(f"no panel {', '.join(map(repr, unknown))}; the panels are: "
                          f"{', '.join(p.slug for p in exhibition.panels)}")
    panels = [exhibition.panel(s) for s in dict.fromkeys(wanted)]
    jobs = []
    for lang in (list(langs) if langs else list(exhibition.languages)):
        for panel in panels:
            marked = draft(panel) if callable(draft) else draft
            job_options = PrintOptions(**{**options.__dict__, "draft": bool(marked)})
            jobs.append(Job(panel.slug, lang, job_options,
                            Path(out_dir) / file_name(exhibition, panel, lang, job_options),
                            panel.version))
    return jobs


# -- running ---------------------------------------------------------------------------------

def _child_config(app: Flask) -> dict:
    """The settings the child builds its app with: the caller's, so both see the same show."""
    config = {}
    for key in [*DEFAULTS, "TESTING"]:
        value = app.config.get(key)
        try:
            json.dumps(value)
        except TypeError:
            continue
        config[key] = value
    return config


def print_panels(app: Flask, jobs: list[Job],
                 on_result: Callable[[JobResult], None] | None = None) -> RenderReport:
    """Preflight and render ``jobs``; files with errors are not written. Never raises for them.

    Raises :class:`~.address.PlaceholderAddress` before anything is rendered when a job is a final
    file (not a draft) and PUBLIC_BASE_URL is not a public https address.
    """
    if any(not job.options.draft for job in jobs):
        require_public_address(app.config)
    started = time.perf_counter()
    exhibition = get_store(app).exhibition
    results: dict[int, JobResult] = {}
    to_render: list[tuple[int, Job]] = []
    for index, job in enumerate(jobs):
        panel = job_panel(app, job.slug, job.version)
        problems = check_page(job.options.size, job.options.bleed_mm)
        if panel is None:
            problems.append(Problem("error", f"version {job.version} of panel {job.slug} is no "
                                    f"longer available", job.slug, job.lang))
        else:
            problems += check_content(exhibition, panel, job.lang,
                                      final=not job.options.draft)
        if any(p.is_error for p in problems):
            results[index] = JobResult(job, problems)
            if on_result:
                on_result(results[index])
        else:
            to_render.append((index, job))
    if to_render:
        def done(local_index: int, result: JobResult) -> None:
            results[to_render[local_index][0]] = result
            if on_result:
                on_result(result)

        _run_children(_child_config(app), [job for _, job in to_render], done,
                      timeout=float(app.config["PRINT_TIMEOUT_SECONDS"]),
                      memory_mb=int(app.config["PRINT_MEMORY_MB"]))
    ordered = [results[i] for i in range(len(jobs))]
    for result in ordered:
        result.qr_url = panel_url(app.config["PUBLIC_BASE_URL"], result.job.lang, result.job.slug)
    return RenderReport(ordered, round(time.perf_counter() - started, 2))


def print_workers(jobs: int) -> int:
    """How many rendering children at once: one per core this process may use, never more than
    there are files. Each child has the same limits (``PRINT_MEMORY_MB``, the timeout)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, jobs))


def _run_children(config: dict, jobs: list[Job], done: Callable[[int, JobResult], None], *,
                  timeout: float, memory_mb: int) -> None:
    """Render ``jobs`` in child processes, one per core, each taking every n-th job (the set is
    in exhibition order, so each child gets a mix of light and heavy panels)."""
    workers = print_workers(len(jobs))
    if workers == 1:
        _run_in_sequence(config, jobs, done, timeout=timeout, memory_mb=memory_mb)
        return
    import threading

    lock = threading.Lock()
    failures: list[BaseException] = []

    def run(share: list[int]) -> None:
        def report(local: int, result: JobResult) -> None:
            with lock:  # the caller's callback (a progress bar) sees one result at a time
                done(share[local], result)

        try:
            _run_in_sequence(config, [jobs[i] for i in share], report, timeout=timeout,
                             memory_mb=memory_mb)
        except BaseException as exc:  # noqa: BLE001 — raised again in the calling thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(list(range(n, len(jobs), workers)),),
                                name=f"print-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _run_in_sequence(config: dict, jobs: list[Job], done: Callable[[int, JobResult], None], *,
                     timeout: float, memory_mb: int) -> None:
    """Render ``jobs`` one after the other in a child process; a job that kills its child is
    reported, and the remaining jobs go to a new child."""
    start = 0
    while start < len(jobs):
        finished = _run_child(config, jobs, start, done, timeout=timeout, memory_mb=memory_mb)
        start = finished


def _run_child(config: dict, jobs: list[Job], start: int,
               done: Callable[[int, JobResult], None], *, timeout: float, memory_mb: int) -> int:
    """One child for ``jobs[start:]``; returns the index of the first job it did not finish
    (after reporting that job as failed when the child died on it)."""
    request = {"config": config, "memory_mb": memory_mb,
               "jobs": [job.to_dict() for job in jobs[start:]]}
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "exhibit.printworker"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
        assert proc.stdin and proc.stdout
        proc.stdin.write(json.dumps(request).encode())
        proc.stdin.close()
        next_index = start
        current: int | None = None
        failure: str | None = None
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        buffer = b""
        deadline = time.monotonic() + timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    failure = (f"took longer than {timeout:g} s (PRINT_TIMEOUT_SECONDS); "
                               f"the renderer was stopped")
                    proc.kill()
                    break
                if not selector.select(min(remaining, 1.0)):
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    event = json.loads(line)
                    deadline = time.monotonic() + timeout
                    if event["event"] == "fatal":
                        failure = event["message"]
                    elif event["event"] == "start":
                        current = start + event["index"]
                    elif event["event"] == "done":
                        index = start + event["index"]
                        done(index, _result(jobs[index], event))
                        current = None
                        next_index = index + 1
        finally:
            selector.close()
            proc.stdout.close()
            code = proc.wait()
        if next_index >= len(jobs):
            return next_index
        # The child stopped before the end: blame the job it was on (or the next one).
        failed = current if current is not None else next_index
        if failure is None:
            stderr.seek(0)
            tail = stderr.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            failure = (f"the renderer {how}, probably out of memory (PRINT_MEMORY_MB = "
                       f"{memory_mb})" + (": " + " | ".join(tail) if tail else ""))
        job = jobs[failed]
        if failure.startswith("cannot start"):
            # Nothing can be rendered with this configuration: report every remaining job.
            for index in range(failed, len(jobs)):
                done(index, JobResult(jobs[index], [Problem("error", failure, jobs[index].slug,
                                                             jobs[index].lang)]))
            return len(jobs)
        done(failed, JobResult(job, [Problem("error", failure, job.slug, job.lang)]))
        return failed + 1


def _result(job: Job, event: dict) -> JobResult:
    return JobResult(
        job=job, problems=[Problem(**p) for p in event.get("problems", [])],
        path=Path(event["path"]) if event.get("path") else None, bytes=event.get("bytes", 0),
        pages=event.get("pages", 0), seconds=event.get("seconds", 0.0),
        peak_rss_kb=event.get("peak_rss_kb", 0), type_scale=event.get("type_scale", 1.0),
        worker_pid=event.get("pid", 0))


# -- for the staff area ------------------------------------------------------------------------

def render_set(app: Flask, slugs: Iterable[str] | None = None,
               langs: Iterable[str] | None = None, *, size: str = "", bleed_mm: float | None = None,
               cmyk: bool = True, hero: bool = False, marks: bool = False,
               draft: bool | Callable[[Panel], bool] = False,
               out_dir: Path | None = None,
               on_result: Callable[[JobResult], None] | None = None) -> Path:
    """Print panels for a download: one PDF when one file is asked for, else a ZIP of the set.

    What is printed: with ``draft`` false, the published version of each panel (the final
    files: :func:`exhibit.review.public_exhibition`; panels not published are not printed);
    with ``draft`` true or a function, the files' versions, marked DRAFT as it says.

    ``slugs``/``langs`` None mean every panel / every language; ``size`` defaults to
    ``PRINT_SIZE`` and ``bleed_mm`` to ``PRINT_BLEED_MM``. The ZIP holds the PDFs and
    ``preflight.txt`` (the warnings). Raises :class:`PrintFailed` when any file has an error:
    a print shop should get a whole set or nothing. Runs the renderer in a child process, so it
    may be called from a web request (it takes seconds per panel: a background job is kinder).
    """
    options = PrintOptions(
        size=parse_size(size or app.config["PRINT_SIZE"]),
        bleed_mm=float(app.config["PRINT_BLEED_MM"] if bleed_mm is None else bleed_mm),
        cmyk=cmyk, hero=hero, marks=marks)
    out_dir = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="exhibit-print-"))
    if draft:
        exhibition = get_store(app).exhibition
    else:
        from ..publication import public_exhibition

        exhibition = public_exhibition(app)
    jobs = plan(exhibition, slugs, langs, options, out_dir, draft)
    report = print_panels(app, jobs, on_result)
    if report.errors:
        raise PrintFailed(report)
    if len(report.files) == 1:
        return report.files[0]
    langs_part = "-".join(dict.fromkeys(job.lang for job in jobs))
    archive = out_dir / f"exhibit-print-{options.size.slug}-{langs_part}.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in report.files:
            # PDFs are compressed already; storing them saves time and gains nothing.
            zf.write(path, path.name, compress_type=zipfile.ZIP_STORED)
        zf.writestr("preflight.txt", report.text())
    return archive
