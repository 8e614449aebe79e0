"""REFI-QDA project files (.qdpx) written by hand, as other tools write them, for the
import's tests; and the upload of one."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

NS = "urn:QDA-XML:project:1.0"


def qdpx(qde: str, sources: dict[str, bytes] | None = None) -> bytes:
    files = {f"sources/{name}": data for name, data in (sources or {}).items()}
    return zip_of({"project.qde": qde.encode(), **files})


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


G = "{{00000000-0000-4000-8000-{:012d}}}"


def project_qde(selections: str = "", *, text_path="internal://a.txt", more="") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="From MAXQDA" origin="MAXQDA 2022">
  <Users><User guid="{G.format(1)}" name="Jane Coder" id="jane"/></Users>
  <CodeBook><Codes>
    <Code guid="{G.format(2)}" name="Economy" isCodable="true" color="#00FF00">
      <Description>Money matters.</Description>
      <Code guid="{G.format(3)}" name="Sanctions" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="{G.format(4)}" name="outlet" typeOfVariable="Text"/></Variables>
  <Sources>
    <TextSource guid="{G.format(5)}" name="Sanctions bite" plainTextPath="{text_path}">
      {selections}
      <VariableValue>
        <VariableRef targetGUID="{G.format(4)}"/><TextValue>Le Monde</TextValue>
      </VariableValue>
    </TextSource>
    {more}
  </Sources>
  <Notes>
    <Note guid="{G.format(9)}" name="memo"><PlainTextContent>Check this.</PlainTextContent></Note>
  </Notes>
  <Sets>
    <Set guid="{G.format(10)}" name="Sanctions 2014">
      <MemberSource targetGUID="{G.format(5)}"/>
    </Set>
  </Sets>
</Project>"""


def selection(guid: int, start: int, end: int, code: int = 3, note: bool = False) -> str:
    return (
        f'<PlainTextSelection guid="{G.format(guid)}" name="x" startPosition="{start}" '
        f'endPosition="{end}" creatingUser="{G.format(1)}">'
        f'<Coding guid="{G.format(guid + 100)}"><CodeRef targetGUID="{G.format(code)}"/></Coding>'
        + (f'<NoteRef targetGUID="{G.format(9)}"/>' if note else "")
        + "</PlainTextSelection>"
    )


TEXT = "Sanctions 😀 bite.\r\n\r\nThe rouble falls.  \r\n"


def upload(client, project, data: bytes, name="study.qdpx"):
    url = reverse("analysis:qdpx-upload", args=[project.slug])
    return client.post(url, {"file": _file(data, name)})


def _file(data: bytes, name: str):
    return SimpleUploadedFile(name, data, content_type="application/zip")


def inline_source(guid: int, text: str, selections: str = "", name: str = "Inline") -> str:
    return (
        f'<TextSource guid="{G.format(guid)}" name="{name}">'
        f"<PlainTextContent>{text}</PlainTextContent>{selections}</TextSource>"
    )


def named_selection(guid: int, start: int, end: int, name: str) -> str:
    return (
        f'<PlainTextSelection guid="{G.format(guid)}" name="{name}" startPosition="{start}" '
        f'endPosition="{end}" creatingUser="{G.format(1)}"><Coding guid="{G.format(guid + 100)}">'
        f'<CodeRef targetGUID="{G.format(3)}"/></Coding></PlainTextSelection>'
    )
