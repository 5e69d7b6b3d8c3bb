"""``exhibit export record``: the whole exhibition record from the command line (joins the
``export`` group of the visit log)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..printing import PlaceholderAddress
from ..visits.commands import _LANG_OPTION, _audit
from ..visits.report import default_language
from .archive import record_parts, write_record


@click.command("record")
@with_appcontext
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.zip")
@_LANG_OPTION
@click.option("--skip", "skip", multiple=True, metavar="PART",
              help="leave a part out (repeatable), e.g. --skip print; the parts are listed in "
                   "the README")
@click.option("--draft", "print_draft", is_flag=True,
              help="the print files as drafts, every page marked DRAFT (for a PUBLIC_BASE_URL "
                   "that is not public yet)")
def export_record(out: Path, lang, skip, print_draft) -> None:
    """Write the whole exhibition record to OUT: one ZIP with the report, the visit log, the
    channel figures, the photos, the print files, and a manifest with SHA-256 checksums."""
    if out.suffix.lower() != ".zip":
        raise click.BadParameter("the file name must end in .zip", param_hint="--out")
    lang = lang or default_language()
    parts = [p.name for p in record_parts()]
    unknown = sorted(set(skip) - set(parts))
    if unknown:
        raise click.BadParameter(f"no part named {', '.join(unknown)}; the parts are: "
                                 f"{', '.join(parts)}", param_hint="--skip")
    with click.progressbar(length=len(parts) - len(set(skip)), label="writing the record",
                           item_show_func=lambda p: p.name if p else None,
                           file=sys.stderr) as bar:
        try:
            written = write_record(out, lang, skip=skip, print_draft=print_draft,
                                   progress=lambda part: bar.update(1, part))
        except PlaceholderAddress as exc:
            click.echo(f"\nexhibit export record: refused: {exc}; or leave the print files out "
                       f"(--skip print), or print them as drafts (--draft).", err=True)
            sys.exit(1)
    _audit("export_record", out, "&".join([f"lang={lang}"] + [f"skip={p}" for p in skip]))
    for warning in written.warnings:
        click.echo(f"warning: {warning}", err=True)
    total = sum(f["bytes"] for f in written.files)
    click.echo(f"{out}: {len(written.files)} files ({total:,} bytes before compression), "
               f"{out.stat().st_size:,} bytes; checksums in MANIFEST.json")
