"""Tables print their values as they are: no markup, no emoji codes."""

from __future__ import annotations

import io

from govcloud.commands.common import print_table
from govcloud.terminal import make_console


def test_a_table_prints_addresses_and_bracketed_text_verbatim():
    out = io.StringIO()
    print_table("joins", ["speaker", "error"], [["2001:db8:2:a::3/64", "[POST http://192.0.2.1:9696/v2.0/ports] 409"]],
                to=make_console(file=out))
    text = out.getvalue()
    assert "2001:db8:2:a::3/64" in text
    assert "[POST http://192.0.2.1:9696/v2.0/ports] 409" in text


def test_a_console_prints_no_emoji_for_a_colon_code():
    out = io.StringIO()
    make_console(file=out).print("speaker 2001:db8:2:a::3", highlight=False)
    assert out.getvalue() == "speaker 2001:db8:2:a::3\n"
