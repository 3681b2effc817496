"""S3: an input and an output bucket. Event notifications on the input bucket (configured by
provision.py) put S3 events on the chunking and video-worker queues, so this adapter never
publishes them itself.

Unfinished multipart uploads cost storage until aborted: a key keeps only its newest one
(`start_upload` aborts the rest), `expire_uploads` aborts old ones (the reconciler's
sweep), and the input bucket's lifecycle rule (provision.py) aborts them after a day
whatever else happens."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from stereospot.aws.clients import Clients, call, translated
from stereospot.errors import Conflict, InvalidInput, NotFound
from stereospot.jobs.keys import check_key
from stereospot.ports import Bucket, ObjectRef, UploadedPart


class S3ObjectStore:
    def __init__(self, clients: Clients) -> None:
        self.s3 = clients.s3
        settings = clients.settings
        self.names: dict[Bucket, str] = {
            "input": settings.input_bucket,
            "output": settings.output_bucket,
        }

    def _loc(self, ref: ObjectRef) -> dict[str, Any]:
        if ref.bucket not in self.names:
            raise InvalidInput(f"no bucket {ref.bucket!r}")
        return {"Bucket": self.names[ref.bucket], "Key": check_key(ref.key)}

    def adopt_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        # An upload either way: a local file cannot become an object without one.
        try:
            return self.put_file(ref, path, if_absent=if_absent)
        finally:
            path.unlink(missing_ok=True)

    def staging(self) -> Path | None:
        return None

    def link_file(self, ref: ObjectRef, path: Path) -> None:
        self.put_file(ref, path)

    def copy(self, source: ObjectRef, dest: ObjectRef) -> None:
        # boto3's managed copy: CopyObject, or a multipart copy for a large object; the
        # bytes stay in S3, whose notification then says ObjectCreated:Copy.
        with translated(f"S3 copy {source.key}"):
            self.s3.copy(self._loc(source), **self._loc(dest))

    def put_file(self, ref: ObjectRef, path: Path, *, if_absent: bool = False) -> bool:
        loc = self._loc(ref)
        if not if_absent:
            with translated("S3 upload"):
                self.s3.upload_file(str(path), loc["Bucket"], loc["Key"])
            return True
        # One conditional PUT (If-None-Match: *): S3 keeps the first writer's object. A
        # single PUT holds up to 5 GB; that bounds a final file written this way.
        try:
            with translated("S3 put if absent"), path.open("rb") as body:
                self.s3.put_object(**loc, Body=body, IfNoneMatch="*")
            return True
        except Conflict:
            return False

    def put_bytes(self, ref: ObjectRef, data: bytes) -> None:
        call("S3 put", self.s3.put_object, **self._loc(ref), Body=data)

    def get_file(self, ref: ObjectRef, path: Path) -> None:
        loc = self._loc(ref)
        with translated(f"S3 get {ref.key}"):
            self.s3.download_file(loc["Bucket"], loc["Key"], str(path))

    def get_bytes(self, ref: ObjectRef) -> bytes:
        body = call(f"S3 get {ref.key}", self.s3.get_object, **self._loc(ref))["Body"]
        data: bytes = body.read()
        return data

    def size(self, ref: ObjectRef) -> int | None:
        try:
            return int(call("S3 head", self.s3.head_object, **self._loc(ref))["ContentLength"])
        except NotFound:
            return None

    def keys(self, bucket: Bucket, prefix: str) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.names[bucket], Prefix=prefix
        )
        with translated("S3 list"):
            return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def delete_prefix(self, bucket: Bucket, prefix: str) -> int:
        keys = self.keys(bucket, prefix)
        name = self.names[bucket]
        for start in range(0, len(keys), 1000):
            objects = [{"Key": k} for k in keys[start : start + 1000]]
            call("S3 delete", self.s3.delete_objects, Bucket=name, Delete={"Objects": objects})
        for upload in self._uploads(bucket, prefix):
            self._abort(name, upload["Key"], upload["UploadId"])
        return len(keys)

    def usage(self, bucket: Bucket, prefix: str) -> int:
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.names[bucket], Prefix=prefix
        )
        with translated("S3 list"):
            total = sum(int(o["Size"]) for page in pages for o in page.get("Contents", []))
        for upload in self._uploads(bucket, prefix):
            ref = ObjectRef(bucket, upload["Key"])
            with suppress(NotFound):  # completed or aborted meanwhile
                total += sum(p.size for p in self.parts(ref, upload["UploadId"]))
        return total

    def _uploads(self, bucket: Bucket, prefix: str) -> list[dict[str, Any]]:
        """The unfinished multipart uploads under `prefix`, every page of them."""
        pages = self.s3.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.names[bucket], Prefix=prefix
        )
        with translated("S3 uploads"):
            return [u for page in pages for u in page.get("Uploads", [])]

    def _abort(self, name: str, key: str, upload_id: str) -> None:
        with suppress(NotFound):  # finished or aborted by someone else meanwhile
            call("S3 abort", self.s3.abort_multipart_upload, Bucket=name, Key=key,
                 UploadId=upload_id)  # fmt: skip

    def uri(self, ref: ObjectRef) -> str:
        loc = self._loc(ref)
        return f"s3://{loc['Bucket']}/{loc['Key']}"

    def ref(self, uri: str) -> ObjectRef:
        parsed = urlparse(uri)
        buckets = {name: logical for logical, name in self.names.items()}
        if parsed.scheme != "s3" or parsed.netloc not in buckets:
            raise InvalidInput(f"not an object of this store: {uri[:60]!r}")
        return ObjectRef(buckets[parsed.netloc], check_key(parsed.path.lstrip("/")))

    def local_path(self, ref: ObjectRef) -> Path | None:
        return None

    def start_upload(self, ref: ObjectRef) -> str:
        loc = self._loc(ref)
        upload_id = str(call("S3 start upload", self.s3.create_multipart_upload, **loc)["UploadId"])
        # Every other upload of the key goes. (Two starts of one key at the same moment
        # may abort each other's: never two left open, at worst none; its client's next
        # part is a 404 and it starts again.)
        for upload in self._uploads(ref.bucket, ref.key):
            if upload["Key"] == ref.key and upload["UploadId"] != upload_id:
                self._abort(loc["Bucket"], ref.key, upload["UploadId"])
        return upload_id

    def part_url(
        self, ref: ObjectRef, upload_id: str, number: int, expires: int, size: int
    ) -> str | None:
        # The size is signed into the URL (Content-Length is a signed header): S3 refuses
        # a part of any other size, so a URL cannot carry more than the server allowed.
        params = {
            **self._loc(ref),
            "UploadId": upload_id,
            "PartNumber": number,
            "ContentLength": size,
        }
        with translated("S3 presign part"):
            url: str = self.s3.generate_presigned_url(
                "upload_part", Params=params, ExpiresIn=expires
            )
        return url

    def put_part(self, ref: ObjectRef, upload_id: str, number: int, data: bytes) -> str:
        result = call(
            "S3 part",
            self.s3.upload_part,
            **self._loc(ref),
            UploadId=upload_id,
            PartNumber=number,
            Body=data,
        )
        return str(result["ETag"])

    def parts(self, ref: ObjectRef, upload_id: str) -> list[UploadedPart]:
        # A page holds at most 1,000 parts; an upload may have 10,000.
        pages = self.s3.get_paginator("list_parts").paginate(**self._loc(ref), UploadId=upload_id)
        with translated("S3 parts"):
            return [
                UploadedPart(int(p["PartNumber"]), str(p["ETag"]), int(p["Size"]))
                for page in pages
                for p in page.get("Parts", [])
            ]

    def complete_upload(
        self, ref: ObjectRef, upload_id: str, parts: Sequence[UploadedPart]
    ) -> None:
        if not parts:
            raise InvalidInput("an upload needs at least one part")
        listed = [
            {"PartNumber": p.number, "ETag": p.etag} for p in sorted(parts, key=lambda p: p.number)
        ]
        call(
            "S3 complete upload",
            self.s3.complete_multipart_upload,
            **self._loc(ref),
            UploadId=upload_id,
            MultipartUpload={"Parts": listed},
        )

    def abort_upload(self, ref: ObjectRef, upload_id: str) -> None:
        call(
            "S3 abort upload", self.s3.abort_multipart_upload, **self._loc(ref), UploadId=upload_id
        )

    def expire_uploads(self, started_before: float) -> int:
        aborted = 0
        for bucket, name in self.names.items():
            for upload in self._uploads(bucket, ""):
                if upload["Initiated"].timestamp() < started_before:
                    self._abort(name, upload["Key"], upload["UploadId"])
                    aborted += 1
        return aborted

    def download_url(self, ref: ObjectRef, expires: int, filename: str) -> str | None:
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        params = {**self._loc(ref), "ResponseContentDisposition": disposition}
        with translated("S3 presign get"):
            url: str = self.s3.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires
            )
        return url
