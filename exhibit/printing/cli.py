"""``exhibit print``: print-ready PDFs of the panels, with a progress bar and a summary."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..contentstore import get_store
from .address import PlaceholderAddress, require_public_address
from .render import PrintOptions
from .runner import JobResult, plan, print_panels
from .sizes import SizeError, parse_size


@click.command("print")
@click.argument("slugs", nargs=-1)
@click.option("--size", "size_text", default=None, metavar="SIZE",
              help="A0, A0-landscape, A1, A1-landscape, rollup, or WIDTHxHEIGHT in mm "
                   "(e.g. 600x900). Default: PRINT_SIZE (A0).")
@click.option("--lang", "langs", multiple=True, metavar="LANG",
              help="Language of the files (repeat for several). Default: the exhibition's first.")
@click.option("--all-languages", is_flag=True, help="One file per panel in every language.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("print-files"), show_default=True, help="Folder for the PDFs.")
@click.option("--bleed", "bleed_mm", type=float, default=None, metavar="MM",
              help="Bleed around the trimmed page in mm. Default: PRINT_BLEED_MM (3).")
@click.option("--rgb", is_flag=True, help="An RGB PDF for screen proofs instead of CMYK PDF/X-4.")
@click.option("--hero", is_flag=True,
              help="Print each panel's first image full-bleed across the top (needs a "
                   "high-resolution photo).")
@click.option("--accessible", is_flag=True,
              help="A tagged PDF/UA-1 in RGB for reading on screen (reading order, alt texts, "
                   "language), beside the press file: `-accessible.pdf`.")
@click.option("--marks", is_flag=True,
              help="Add crop marks and registration targets in a 12 mm slug outside the bleed. "
                   "Default: none (the TrimBox and BleedBox are what imposition uses).")
@click.option("--draft", is_flag=True,
              help="Print the panels as the files have them (drafts too), every page marked "
                   "DRAFT. Without it: the published version of each panel (the final files).")
@with_appcontext
def print_command(slugs, size_text, langs, all_languages, out_dir, bleed_mm, rgb, hero, accessible,
                  marks, draft):
    """Write print-ready PDFs of the panels SLUG... (default: all) into --out.

    Prints the published version of each panel (panels not approved yet are left out), or with
    --draft the files as they are, marked DRAFT. Each file is checked first (image resolution,
    text that does not fit, missing translations and sources, page size); a file with an error
    is not written, and the command exits 1.
    """
    from ..publication import public_exhibition

    app = current_app._get_current_object()
    _refuse_placeholder_address(app, draft)
    files = get_store(app).exhibition
    exhibition = files if draft else public_exhibition(app)
    unpublished = [p.slug for p in files.panels if exhibition.panel(p.slug) is None]
    pending = [files.panel(s) for s in slugs if files.panel(s) and files.panel(s).pending]
    if pending and not draft:
        for panel in pending:
            click.echo(f"exhibit print: {panel.slug!r} has pending data, so it cannot be printed "
                       f"final:", err=True)
            for item in panel.pending:
                click.echo(f"  {item.where}: pending: {item.what} (supplied by {item.who})",
                           err=True)
        click.echo("Fill the data in and have the panel approved, or print the draft with "
                   "--draft.", err=True)
        sys.exit(1)
    asked = [s for s in slugs if s in unpublished]
    if asked:
        raise click.BadParameter(
            f"{', '.join(map(repr, asked))} has no published version yet (see `exhibit review "
            f"status`); print the draft with --draft", param_hint="SLUG")
    try:
        size = parse_size(size_text or app.config["PRINT_SIZE"])
    except SizeError as exc:
        raise click.BadParameter(str(exc), param_hint="--size") from None
    chosen = list(langs) or [exhibition.default_language]
    languages = list(exhibition.languages) if all_languages else chosen
    options = PrintOptions(size=size, cmyk=not (rgb or accessible), hero=hero,
                           marks=marks and not accessible, accessible=accessible,
                           bleed_mm=app.config["PRINT_BLEED_MM"] if bleed_mm is None else bleed_mm)
    try:
        jobs = plan(exhibition, slugs, languages, options, out_dir, draft=draft)
    except LookupError as exc:
        raise click.BadParameter(str(exc), param_hint="SLUG") from None

    if unpublished and not slugs:
        click.echo(f"Not published yet, so not printed: {', '.join(unpublished)} "
                   f"(--draft prints the drafts)")
        held = [p.slug for p in files.panels if p.pending and p.slug in unpublished]
        if held:
            click.echo(f"With pending data (cannot be approved or printed final): "
                       f"{', '.join(held)}")
    colour = "RGB proof" if rgb else f"CMYK PDF/X-4 ({app.config['PRINT_OUTPUT_CONDITION']})"
    if accessible:
        colour = "tagged PDF/UA-1 in RGB (accessible)"
    click.echo(f"Printing {len(jobs)} file(s): {size.describe()}, bleed {options.bleed_mm:g} mm, "
               f"{colour}, into {out_dir}/")
    with click.progressbar(length=len(jobs), label="Rendering", show_pos=True,
                           item_show_func=lambda r: r.job.out.name if r else None,
                           file=sys.stderr) as bar:
        def advance(result: JobResult) -> None:
            bar.update(1, result)

        report = print_panels(app, jobs, on_result=advance)

    for result in report.results:
        name = result.job.out.name
        if result.ok:
            extra = f", type ×{result.type_scale:g}" if result.type_scale != 1 else ""
            click.echo(f"  ok    {name}  {result.bytes / 1e6:.1f} MB  {result.seconds:.1f} s{extra}")
        else:
            click.echo(f"  ERROR {name}: not written")
        if result.qr_url:
            click.echo(f"        QR code: {result.qr_url}")
        for problem in result.problems:
            click.echo(f"        {problem.level}: {problem.message}")
    click.echo(report.summary() + f"; peak memory of the renderer {report.peak_rss_kb / 1024:.0f} MB")
    if report.errors:
        sys.exit(1)


def _refuse_placeholder_address(app, draft: bool) -> None:
    """Final files need PUBLIC_BASE_URL to be public (their QR codes lead there): exit 1."""
    if draft:
        return
    try:
        require_public_address(app.config)
    except PlaceholderAddress as exc:
        click.echo(f"exhibit print: refused: {exc}; or print drafts with --draft (every page "
                   f"marked DRAFT).", err=True)
        sys.exit(1)
