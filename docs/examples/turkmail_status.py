"""Delivery status from turkmail with boto3: NotifyWorkers through the ordinary mturk
client, then turkmail's own operations (Turkmail20261201.GetNotification and
.ListNotifications), which no AWS client knows, signed with botocore's SigV4 signer and
sent with urllib from the standard library.

The endpoint comes from TURKMAIL_ENDPOINT (default http://127.0.0.1:8089); credentials
and region from the usual AWS environment variables or configuration files.
"""
import json
import os
import urllib.error
import urllib.request

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

ENDPOINT = os.environ.get("TURKMAIL_ENDPOINT", "http://127.0.0.1:8089")
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
session = boto3.Session(region_name=REGION)


class TurkmailError(Exception):
    """An error answer: code is the __type (e.g. RequestError), message the Message."""

    def __init__(self, status, body):
        self.status = status
        self.code = body.get("__type")
        self.message = body.get("Message")
        super().__init__(f"{self.code}: {self.message}")


def turkmail(operation, **params):
    """Calls Turkmail20261201.<operation> with params and returns the decoded answer."""
    body = json.dumps(params).encode()
    req = AWSRequest(method="POST", url=ENDPOINT + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Turkmail20261201." + operation,
    })
    # The signing name is MTurk's, as for every call to this endpoint.
    SigV4Auth(session.get_credentials(), "mturk-requester", REGION).add_auth(req)
    http = urllib.request.Request(req.url, data=body, headers=dict(req.headers), method="POST")
    try:
        with urllib.request.urlopen(http) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:
        raise TurkmailError(e.code, json.load(e)) from None


def notify(subject, text, worker_ids):
    """NotifyWorkers through boto3; returns (notification id, failure statuses)."""
    mturk = session.client("mturk", endpoint_url=ENDPOINT)
    resp = mturk.notify_workers(Subject=subject, MessageText=text, WorkerIds=worker_ids)
    # botocore lower-cases response header names.
    notification_id = resp["ResponseMetadata"]["HTTPHeaders"]["x-turkmail-notification-id"]
    return notification_id, resp["NotifyWorkersFailureStatuses"]


def all_notifications(page_size=100):
    """Every notification of this requester, newest first, following NextToken."""
    params = {"MaxResults": page_size}
    while True:
        page = turkmail("ListNotifications", **params)
        yield from page["Notifications"]
        if "NextToken" not in page:
            return
        params["NextToken"] = page["NextToken"]


if __name__ == "__main__":
    import sys

    nid, failures = notify("Thanks", "Your bonus is on its way.", sys.argv[1:])
    print("notification", nid, "failures", failures)
    for d in turkmail("GetNotification", NotificationId=nid)["Notification"]["Deliveries"]:
        print(d["WorkerId"], d["State"], d["Attempts"], d.get("LastReplyCode", ""), d.get("LastReplyText", ""))
