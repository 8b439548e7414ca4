"""Form fields shared by the public and the staff forms."""

import re

from wtforms.fields import FieldList


class SafeFieldList(FieldList):
    """A FieldList that ignores row numbers int() cannot read ("children-²-age" would crash)."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if re.fullmatch(r"[0-9]{1,4}", index):
                    yield int(index)
