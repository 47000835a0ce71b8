"""CV files built in the tests: real PDFs (fpdf2), JSON Resumes and LinkedIn zips."""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    # The core fonts in cp1252 cover Spanish accents and the dashes and bullets CVs use.
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(auto=False)
    pdf.set_font("Helvetica", size=10)
    return pdf


def pdf_one_column(*pages: list[str]) -> bytes:
    """Each page's lines top to bottom; a line "## X" is a bold heading, and a line
    with "|>" puts what follows right-aligned on the same line."""
    pdf = _pdf()
    for lines in pages:
        pdf.add_page()
        y = 15.0
        for line in lines:
            heading = line.startswith("## ")
            pdf.set_font("Helvetica", style="B" if heading else "", size=12 if heading else 10)
            text, _sep, right = line.removeprefix("## ").partition("|>")
            pdf.set_xy(15, y)
            pdf.multi_cell(180 if not right else 120, 5.5, text.strip())
            if right:
                pdf.set_xy(140, y)
                pdf.cell(55, 5.5, right.strip(), align="R")
            y = max(pdf.get_y(), y + 5.5) + 1.5
    return bytes(pdf.output())


def pdf_two_columns(
    left: list[str], right: list[str], *, header: list[str] = (), row_by_row: bool = True
) -> bytes:
    """A sidebar (left) beside a main column (right), under optional full-width
    header lines. `row_by_row` writes the content stream the way many generators do,
    one row across both columns at a time, which plain extraction interleaves."""
    pdf = _pdf()
    pdf.add_page()
    top = 15.0
    for line in header:
        pdf.set_font("Helvetica", style="B", size=16)
        pdf.set_xy(15, top)
        pdf.cell(180, 8, line, align="C")
        top += 10

    def put(x: float, y: float, width: float, line: str) -> None:
        heading = line.startswith("## ")
        pdf.set_font("Helvetica", style="B" if heading else "", size=11 if heading else 9)
        pdf.set_xy(x, y)
        pdf.cell(width, 5, line.removeprefix("## "))

    if row_by_row:
        for i in range(max(len(left), len(right))):
            y = top + i * 6.5
            if i < len(left):
                put(12, y, 55, left[i])
            if i < len(right):
                put(75, y + 1.2, 125, right[i])
    else:
        for i, line in enumerate(right):
            put(75, top + i * 6.5 + 1.2, 125, line)
        for i, line in enumerate(left):
            put(12, top + i * 6.5, 55, line)
    return bytes(pdf.output())


def pdf_image_only() -> bytes:
    """A scanned CV: one page with a picture and no text at all."""
    from PIL import Image

    image = Image.new("RGB", (200, 280), "white")
    for x in range(20, 180):
        image.putpixel((x, 40), (0, 0, 0))
    pdf = _pdf()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=190)
    return bytes(pdf.output())


def pdf_encrypted(content: bytes, *, user_password: str = "secret") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def plain_text(content: bytes) -> str:
    """What pypdf's default extraction gives, to show the layouts really differ."""
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


SPANISH_ONE_COLUMN = [
    "LUCÍA FERNÁNDEZ GARCÍA",
    "Desarrolladora Backend",
    "lucia.fernandez@example.com · +34 600 123 456 · Sevilla, España",
    "## Perfil",
    "Ingeniera de software con foco en APIs y datos.",
    "## Experiencia profesional",
    "Desarrolladora Senior — Acme Pagos S.L. |> ene. 2020 \u2013 actualidad",
    "• Diseñé la API de cobros en Django y PostgreSQL.",
    "• Migré los despliegues a Kubernetes.",
    "Programadora — Beta Consulting |> 03/2017 - 12/2019",
    "• Mantenimiento de aplicaciones en React y Node.",
    "## Formación",
    "Grado en Ingeniería Informática, Universidad de Sevilla |> 2012 - 2016",
    "## Habilidades",
    "Python, Django, ReactJS, PostgreSQL, Docker, Computación en la nube",
    "## Idiomas",
    "Español: nativo · Inglés: C1",
]

ENGLISH_ONE_COLUMN = [
    "John Smith",
    "Platform Engineer",
    "john.smith@example.org | +44 20 7946 0958",
    "## Summary",
    "Engineer who likes boring, reliable systems.",
    "## Work Experience",
    "Globex Corporation",
    "Platform Engineer",
    "Jan 2018 - Present",
    "- Ran the Kubernetes platform for 40 teams.",
    "Initech Ltd",
    "Backend Developer",
    "June 2015 to Dec 2017",
    "- Built billing services in Go.",
    "## Education",
    "BSc in Computer Science",
    "University of Leeds",
    "2011 - 2015",
    "## Skills",
    "Languages: Go, Python, TypeScript",
    "Cloud: AWS, Terraform, k8s",
    "## Languages",
    "English - Native",
    "Spanish (B2)",
]

SIDEBAR_ES = [
    "## Contacto",
    "marta.ruiz@example.com",
    "+34 611 222 333",
    "## Habilidades",
    "Python",
    "React.js",
    "Docker",
    "## Idiomas",
    "Inglés (B2)",
    "Francés (A2)",
]

MAIN_ES = [
    "Marta Ruiz Soler",
    "## Experiencia",
    "Ingeniera de Datos en Datalia",
    "feb. 2021 \u2013 actualidad",
    "Pipelines de datos con Airflow y dbt para banca.",
    "Analista de Datos, Consultora Norte",
    "sept. 2018 \u2013 ene. 2021",
    "Informes y modelos en Python.",
    "## Educación",
    "Máster en Ciencia de Datos",
    "Universidad Politécnica de Madrid",
    "2017 - 2018",
]

SIDEBAR_EN = [
    "## Skills",
    "Kotlin",
    "Android",
    "Firebase",
    "## Languages",
    "English (Native)",
    "German (B1)",
]

MAIN_EN = [
    "## Experience",
    "Senior Android Developer at Mobilo GmbH",
    "Mar 2019 - Present",
    "Led the rewrite of the banking app in Kotlin.",
    "Android Developer at Appsy",
    "Jul 2016 - Feb 2019",
    "## Education",
    "BEng in Software Engineering",
    "University of Bristol",
    "2012 - 2016",
]


def json_resume(**overrides) -> dict:
    document = {
        "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
        "basics": {
            "name": "Ana Torres",
            "label": "Full-stack developer",
            "email": "ana@example.com",
            "phone": "+34 699 000 111",
            "summary": "Full-stack developer.",
            "location": {"city": "Valencia", "countryCode": "ES", "region": "Valencia"},
        },
        "work": [
            {
                "name": "Acme",
                "position": "Frontend Developer",
                "startDate": "2016-01-01",
                "endDate": "2019-12-31",
                "summary": "Built the shop.",
                "highlights": ["Moved the shop to React"],
            },
            {
                "name": "Globex",
                "position": "Full-stack Developer",
                "startDate": "2019-06",
                "summary": "Still here.",
            },
        ],
        "education": [
            {
                "institution": "Universitat de València",
                "area": "Informática",
                "studyType": "Grado",
                "startDate": "2011",
                "endDate": "2015",
            }
        ],
        "skills": [
            {"name": "Frontend", "level": "Master", "keywords": ["ReactJS", "TypeScript", "CSS"]},
            {"name": "Node.js", "keywords": []},
        ],
        "languages": [{"language": "Spanish", "fluency": "Native speaker"}],
    }
    document.update(overrides)
    return document


def json_bytes(document) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def _csv(rows: list[dict], *, notes: str = "") -> bytes:
    out = io.StringIO()
    if notes:
        out.write(f'Notes:\n"{notes}"\n\n')
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


LINKEDIN_FILES = {
    "Profile.csv": [
        {
            "First Name": "Pablo",
            "Last Name": "Gómez",
            "Maiden Name": "",
            "Address": "",
            "Birth Date": "",
            "Headline": "Backend Engineer | Python · Go",
            "Summary": "Ten years building APIs.",
            "Industry": "Software Development",
            "Zip Code": "",
            "Geo Location": "Bilbao, Basque Country, Spain",
            "Twitter Handles": "",
            "Websites": "",
            "Instant Messengers": "",
        }
    ],
    "Positions.csv": [
        {
            "Company Name": "Norte Tech",
            "Title": "Backend Engineer",
            "Description": "APIs in Python and Go.\nOn-call for payments.",
            "Location": "Bilbao",
            "Started On": "Jan 2020",
            "Finished On": "",
        },
        {
            "Company Name": "Sur Data",
            "Title": "Developer",
            "Description": "",
            "Location": "Madrid",
            "Started On": "Mar 2015",
            "Finished On": "Feb 2020",
        },
    ],
    "Education.csv": [
        {
            "School Name": "Universidad de Deusto",
            "Start Date": "2010",
            "End Date": "2014",
            "Notes": "",
            "Degree Name": "Grado en Ingeniería Informática",
            "Activities": "",
        }
    ],
    "Skills.csv": [{"Name": "Python"}, {"Name": "Golang"}, {"Name": "Postgres"}],
    "Languages.csv": [
        {"Name": "Spanish", "Proficiency": "Native or bilingual proficiency"},
        {"Name": "English", "Proficiency": "Full professional proficiency"},
    ],
    "Email Addresses.csv": [
        {"Email Address": "old@example.com", "Confirmed": "Yes", "Primary": "No", "Updated On": ""},
        {
            "Email Address": "pablo@example.com",
            "Confirmed": "Yes",
            "Primary": "Yes",
            "Updated On": "",
        },
    ],
}


def linkedin_zip(
    files: dict[str, list[dict]] | None = None,
    *,
    extra: dict[str, bytes] | None = None,
    notes: bool = True,
) -> bytes:
    files = LINKEDIN_FILES if files is None else files
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in files.items():
            # Real exports open some files with a "Notes:" paragraph.
            note = "Exported from LinkedIn." if notes and name == "Positions.csv" else ""
            archive.writestr(name, _csv(rows, notes=note))
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


# --- Hostile PDFs: small files that cost a reader a lot ---------------------------


def pdf_wide_tiny_text(pages: int = 1, *, rows: int = 1000, width: float = 8000) -> bytes:
    """Pages 8,000 pt wide with a thousand rows of 1 pt text, words at both edges:
    layout extraction makes every row 10,000 characters wide (6.4 KB for one page)."""
    pdf = FPDF(unit="pt", format=(width, rows + 20))
    pdf.set_auto_page_break(auto=False)
    pdf.set_font("Helvetica", size=1)
    for _ in range(pages):
        pdf.add_page()
        for i in range(rows):
            pdf.set_xy(10, 10 + i)
            pdf.cell(10, 1, "word a")
            pdf.set_xy(width - 50, 10 + i)
            pdf.cell(10, 1, "b")
    return bytes(pdf.output())


def pdf_overlapping_text(shows: int, *, pages: int = 1) -> bytes:
    """Each page one compressed content stream that shows two letters `shows` times
    at the same spot (five operations each); pypdf's layout mode slows with the square
    of overlapping text. Written by hand: no generator writes this on purpose."""
    operations = b"BT /F1 1 Tf 1 0 0 1 10 10 Tm (ab) Tj ET\n" * shows
    stream = zlib.compress(operations, 9)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
    ]
    font = 3 + 2 * pages
    for i in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 2 * i, font)
        )
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
