"""The verification kit: contract checks, relations and the `exports-contract` command.

It speaks to a server over HTTP only, so the same kit verifies the embedded reference
server and any live implementation of `POST /groups/{group_guid}/exports`.
"""
