"""Form fields shared by the public and the staff forms."""

import re

from flask import request
from flask_wtf import FlaskForm
from wtforms.fields import FieldList


class PostedForm(FlaskForm):
    """A form filled from a posted form body only.

    Flask-WTF would also fill it from a JSON body or from file parts, with values of any
    type (numbers, lists, uploads), which text fields and their filters do not expect.
    """

    def __init__(self, *args, **kwargs):
        if not args and "formdata" not in kwargs:
            kwargs["formdata"] = request.form if request.method == "POST" else None
        super().__init__(*args, **kwargs)


class SafeFieldList(FieldList):
    """A FieldList that ignores row numbers int() cannot read ("children-²-age" would crash)."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if re.fullmatch(r"[0-9]{1,4}", index):
                    yield int(index)
