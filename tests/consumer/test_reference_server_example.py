"""The README's example of testing your own code against the reference server (kept verbatim there)."""

import pytest
from bitly_exports_client.api.groups import post_create_group_export
from bitly_exports_client.decode import decode_export
from bitly_exports_client.models import (
    ExportFilter,
    ExportResponse,
    LinksListRequest,
)


def tagged_links(client, group_guid, tag):  # your application's code
    body = LinksListRequest(export_type="links_list", filter_=ExportFilter(tags=[tag]))
    export = post_create_group_export.sync(group_guid, client=client, body=body)
    if not isinstance(export, ExportResponse):
        raise RuntimeError(f"the export failed: {export!r}")
    return [record["bitlink"] for record in decode_export(export).records()]


@pytest.mark.exports_server(seed=7)
def test_tagged_links_reads_the_export(exports_server):
    with exports_server.client("premium") as client:
        links = tagged_links(client, exports_server.group_guid, "promo")
    assert links and all(link.startswith("bit.ly/") or "/" in link for link in links)


@pytest.mark.exports_server(seed=7)
def test_tagged_links_reports_an_outage(exports_server):
    with exports_server.client("premium", fault=503) as client:
        with pytest.raises(RuntimeError, match="TemporarilyUnavailable"):
            tagged_links(client, exports_server.group_guid, "promo")
