"""MetadataPanel: facts about the selected synset and the current image.

Signals:
    synsetClicked(int): a hypernym, a class or a path step was clicked.
"""

from __future__ import annotations

import logging
import time
from html import escape

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTextBrowser, QWidget

from browser.core.dataset.index import UNKNOWN, UNREADABLE, VANISHED, DatasetIndex
from browser.core.dataset.view import DatasetView
from browser.core.filenames import display
from browser.core.images.imageinfo import ImageFacts, image_facts
from browser.core.review.estimates import Estimate
from browser.core.review.records import Verdict

log = logging.getLogger(__name__)

_NOTE_SHOWN = 2_000  # characters of a note the panel shows


def _size(count: int) -> str:
    if count == UNKNOWN:
        return "not known yet"
    if count in (VANISHED, UNREADABLE):
        return "cannot be read"
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{count:,} bytes" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{count:,} bytes"


class MetadataPanel(QTextBrowser):
    synsetClicked = Signal(int)
    unlabelledRequested = Signal()  # "show them" next to the images without a label

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._clicked)
        self.view: DatasetView | None = None
        self._synset_html = ""
        self._image_html = ""
        self._dataset_html = ""
        self._path = ""
        self.setMinimumWidth(260)

    def _link(self, synset: int) -> str:
        assert self.view is not None
        name = escape(self.view.hierarchy.name(synset))
        return f'<a href="synset:{synset}">{name}</a>'

    def show_synset(
        self,
        view: DatasetView,
        synset: int,
        paths: list[list[int]],
        estimate: Estimate | None = None,
    ) -> None:
        self.view = view
        hierarchy, counts = view.hierarchy, view.counts
        lemmas = ", ".join(escape(x.replace("_", " ")) for x in hierarchy.lemmas(synset))
        splits = "".join(
            f"<tr><td>{escape(name)}</td><td align='right'>{int(counts.split_images[i, synset]):,}"
            "</td></tr>"
            for i, name in enumerate(counts.splits)
        )
        path_html = "".join(
            "<li>" + " › ".join(self._link(s) for s in path) + "</li>" for path in paths
        )

        def table(pairs: list[tuple[int, int]]) -> str:
            return "".join(
                f"<tr><td>{self._link(c)}</td><td align='right'>{n:,}</td></tr>" for c, n in pairs
            )

        children = table(view.largest_children(synset, 8))
        largest = table(view.largest_classes(synset, 8)) if children else ""
        self._synset_html = (
            f"<h2>{escape(hierarchy.name(synset))}</h2>"
            f"<p><code>{hierarchy.wnid(synset)}</code> — {lemmas}</p>"
            f"<p><i>{escape(hierarchy.gloss(synset))}</i></p>"
            "<table cellspacing='0' cellpadding='2'>"
            f"<tr><td>Images at or below</td><td align='right'><b>{int(counts.images[synset]):,}"
            "</b></td></tr>"
            f"<tr><td>Labelled exactly this</td><td align='right'>"
            f"{int(counts.direct_images[synset]):,}</td></tr>"
            f"<tr><td>Classes at or below</td><td align='right'>{int(counts.classes[synset]):,}"
            f"</td></tr>{splits}{self._numbers(view, synset)}</table>"
            + self._review_html(estimate)
            + f"<h4>Hypernym paths ({len(paths)})</h4><ol>{path_html}</ol>"
            + (
                f"<h4>Largest children</h4><table cellpadding='1'>{children}</table>"
                if children
                else ""
            )
            + (
                f"<h4>Largest classes below</h4><table cellpadding='1'>{largest}</table>"
                if largest
                else ""
            )
        )
        self._render()

    @staticmethod
    def _review_html(estimate: Estimate | None) -> str:
        """Reviewed / total, verdict counts, and the label-error estimate."""
        if estimate is None or not estimate.reviewed:
            return ""
        counts = ", ".join(
            f"{name.replace('_', ' ')} {n:,}" for name, n in estimate.verdicts.items() if n
        )
        if estimate.error_rate is None:
            rate = "no verdicts on labels yet"
        else:
            rate = (
                f"<b>{estimate.error_rate:.1%}</b> "
                f"(95 % CI {estimate.ci_low or 0:.1%} – {estimate.ci_high or 0:.1%})"
            )
        return (
            "<h4>Review</h4><table cellpadding='2'>"
            f"<tr><td>Reviewed</td><td>{estimate.reviewed:,} of {estimate.images:,}</td></tr>"
            f"<tr><td>Verdicts</td><td>{escape(counts)}</td></tr>"
            f"<tr><td>Label errors</td><td>{rate}</td></tr></table>"
        )

    @staticmethod
    def _numbers(view: DatasetView, synset: int) -> str:
        ids = view.numbering.of(synset)
        names = [
            ("Class index in dataset", ids.class_index),
            ("ILSVRC-1k index", ids.ilsvrc_index),
            ("Devkit ID", ids.devkit_id),
        ]
        return "".join(
            f"<tr><td>{name}</td><td align='right'>{value}</td></tr>"
            for name, value in names
            if value is not None
        )

    def show_unlabelled(self, index: DatasetIndex) -> None:
        """In place of a synset: the images without a label, and why they have none."""
        reasons: dict[str, int] = {}
        for record in index.image_folders:
            reasons[record.reason] = reasons.get(record.reason, 0) + record.count
        rows = "".join(
            f"<tr><td align='right'>{n:,}</td><td>{escape(why)}</td></tr>"
            for why, n in sorted(reasons.items(), key=lambda item: -item[1])
        )
        self._synset_html = (
            f"<h2>Images without a label</h2><p>{len(index):,} images of this dataset have no "
            "synset. They are not counted under any synset.</p>"
            f"<table cellpadding='2'>{rows}</table>"
        )
        self._render()

    def show_dataset(self, view: DatasetView, verdicts_problem: str = "") -> None:
        """The dataset's layout and where its labels came from (and why verdicts cannot
        be saved, if they cannot)."""
        index = view.index
        layout = index.layout
        if index.label_sources:
            layout += ", labels of flat folders from files"
        parts = [f"<tr><td>Layout</td><td>{escape(layout)}</td></tr>"]
        if index.label_sources:
            for source in index.label_sources:
                problems = "".join(f"<li>{escape(str(p))}</li>" for p in source.problems[:5])
                more = len(source.problems) - 5
                if more > 0:
                    problems += f"<li>… and {more} more (synset-browser scan lists them)</li>"
                parts.append(
                    f"<tr><td>Labels</td><td>{escape(source.summary())}<br>"
                    f"<small>{escape(source.file.path)}</small>"
                    + (f"<ul>{problems}</ul>" if problems else "")
                    + "</td></tr>"
                )
        else:
            parts.append("<tr><td>Labels</td><td>class folder names</td></tr>")
        real = index.real
        if real is not None:
            parts.append(
                f"<tr><td>ReaL labels</td><td>{len(real.rows):,} images, "
                f"{int(real.disagree.sum()):,} whose label is not among them<br>"
                f"<small>{escape(real.path)}</small>"
                + "".join(f"<br><small>{escape(str(p))}</small>" for p in real.problems[:3])
                + "</td></tr>"
            )
        if index.unlabelled is not None:
            parts.append(
                f"<tr><td>Without a label</td><td>{len(index.unlabelled):,} images — "
                "<a href='unlabelled:'>show them</a></td></tr>"
            )
        if view.numbering.devkit_map:
            parts.append(
                f"<tr><td>Devkit IDs</td><td><small>{escape(view.numbering.devkit_map)}"
                "</small></td></tr>"
            )
        if verdicts_problem:
            parts.append(
                "<tr><td>Verdicts</td><td style='color:#c0392b'>read-only: "
                f"{escape(verdicts_problem)}</td></tr>"
            )
        self._dataset_html = f"<hr><h3>Dataset</h3><table cellpadding='2'>{''.join(parts)}</table>"
        self._render()

    def show_image(
        self,
        view: DatasetView,
        row: int,
        failure: str | None = None,
        verdict: Verdict | None = None,
    ) -> ImageFacts:
        index = view.index
        self._path = index.path(row)
        try:
            facts = image_facts(self._path)
        except Exception as exc:  # e.g. a decompression bomb: a fact about this file
            log.info("cannot read the header of %s", display(str(self._path)), exc_info=True)
            facts = ImageFacts(error=f"cannot be read: {exc}")
        label = int(index.labels[row])
        problem = facts.error or failure
        rows = [
            (
                "Path",
                f"{escape(display(index.relpath(row)))}<br><a href='copy:'>copy full path</a>",
            ),
            (
                "Class",
                f"none — {escape(index.reason(row))}"
                if index.is_unlabelled
                else f"{self._link(label)} <code>{view.hierarchy.wnid(label)}</code>",
            ),
            ("Split", escape(index.splits[index.split_ids[row]])),
            ("Label from", self._label_origin(view, row)),
            *self._real_row(view, row),
            ("File size", _size(int(index.sizes[row]))),
        ]
        if not facts.error:
            rows += [
                ("Pixels", f"{facts.width:,} × {facts.height:,}"),
                ("Format", f"{escape(facts.format)}, {escape(facts.mode)}"),
                ("EXIF orientation", escape(facts.orientation)),
            ]
        rows += self._verdict_rows(view, verdict)
        table = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
        warning = (
            f"<p style='color:#c0392b'><b>This image cannot be decoded:</b> {escape(problem)}</p>"
            if problem
            else ""
        )
        self._image_html = f"<hr><h3>Image</h3>{warning}<table cellpadding='2'>{table}</table>"
        self._render()
        return facts

    def _verdict_rows(self, view: DatasetView, verdict: Verdict | None) -> list[tuple[str, str]]:
        """The reviewer's verdict, note, proposal, name and time, as recorded."""
        if view.index.is_unlabelled:
            return []
        if verdict is None:
            return [("Verdict", "not reviewed")]
        rows = [("Verdict", f"<b>{escape(verdict_words(verdict.verdict))}</b>")]
        if verdict.note:
            # A note may be up to a megabyte, one unbroken line: laying all of it out froze
            # the panel. The start of it, and how much more there is.
            shown = display(verdict.note[:_NOTE_SHOWN])
            more = len(verdict.note) - _NOTE_SHOWN
            note = escape(shown).replace("\n", "<br>")
            if more > 0:
                note = note[:_NOTE_SHOWN] + f" <i>… ({more:,} more characters)</i>"
            rows.append(("Note", note))
        if verdict.proposed:
            node = view.hierarchy.find(verdict.proposed)
            shown = self._link(node) if node is not None else escape(verdict.proposed)
            rows.append(("Proposed", f"{shown} <code>{escape(verdict.proposed)}</code>"))
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(verdict.time)) if verdict.time else ""
        by = " · ".join(part for part in (escape(verdict.user), when) if part)
        if by:
            rows.append(("Reviewed by", by))
        return rows

    def _real_row(self, view: DatasetView, row: int) -> list[tuple[str, str]]:
        real = view.index.real
        found = real.of(row) if real is not None else None
        if real is None or found is None:
            return []
        names = ", ".join(self._link(node) for node in found) or "none fits"
        verdict = (
            " <b style='color:#c0392b'>(label not among them)</b>" if real.disagree[row] else ""
        )
        return [("ReaL labels", names + verdict)]

    @staticmethod
    def _label_origin(view: DatasetView, row: int) -> str:
        index = view.index
        if index.is_unlabelled:
            return "—"
        found = index.label_source(row)
        if found is None:
            shard = index.image_folders[index.folder_ids[row]].offsets is not None
            return "its tar shard's name" if shard else "its folder's name"
        source, line = found
        where = f", line {line}" if line else ""
        return f"{escape(source.file.kind)}{where}"

    def clear_image(self) -> None:
        self._image_html = ""
        self._path = ""
        self._render()

    def _render(self) -> None:
        self.setHtml(self._synset_html + self._image_html + self._dataset_html)

    def _clicked(self, url: QUrl) -> None:
        if url.scheme() == "synset":
            self.synsetClicked.emit(int(url.path()))
        elif url.scheme() == "unlabelled":
            self.unlabelledRequested.emit()
        elif url.scheme() == "copy" and self._path:
            QGuiApplication.clipboard().setText(self._path)


def verdict_words(verdict: str | None) -> str:
    """A verdict as the reviewer reads it ("wrong label"); None: cleared, a note remains."""
    return verdict.replace("_", " ") if verdict else "none (a note only)"
