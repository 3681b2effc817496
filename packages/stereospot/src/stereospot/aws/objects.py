"""S3: an input and an output bucket. Event notifications on the input bucket (configured by
provision.py) put S3 events on the chunking and video-worker queues, so this adapter never
publishes them itself."""

from __future__ import annotations

from collections.abc import Sequence
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
        uploads = call("S3 uploads", self.s3.list_multipart_uploads, Bucket=name, Prefix=prefix)
        for upload in uploads.get("Uploads", []):
            call(
                "S3 abort",
                self.s3.abort_multipart_upload,
                Bucket=name,
                Key=upload["Key"],
                UploadId=upload["UploadId"],
            )
        return len(keys)

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
        result = call("S3 start upload", self.s3.create_multipart_upload, **self._loc(ref))
        return str(result["UploadId"])

    def part_url(self, ref: ObjectRef, upload_id: str, number: int, expires: int) -> str | None:
        params = {**self._loc(ref), "UploadId": upload_id, "PartNumber": number}
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
        result = call("S3 parts", self.s3.list_parts, **self._loc(ref), UploadId=upload_id)
        return [
            UploadedPart(int(p["PartNumber"]), str(p["ETag"]), int(p["Size"]))
            for p in result.get("Parts", [])
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

    def download_url(self, ref: ObjectRef, expires: int, filename: str) -> str | None:
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        params = {**self._loc(ref), "ResponseContentDisposition": disposition}
        with translated("S3 presign get"):
            url: str = self.s3.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires
            )
        return url
