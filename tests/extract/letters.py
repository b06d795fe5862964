"""Small hand-written letters the extraction tests share (made up: no real letter's text)."""

#: A text letter with one item (upheld) and every header field.
LETTER = """Case Number: CM15-0123456
Date Assigned: 03/02/2015 Date of Injury: 01/15/2014
Decision Date: 04/01/2015 UR Denial Date: 02/10/2015
Priority: Standard Application Received: 02/20/2015

HOW THE IMR FINAL DETERMINATION WAS MADE
The expert reviewer is Board Certified in Family Practice and is licensed to practice in California.

CLINICAL CASE SUMMARY
The injured worker is a 41 year old female who hurt her back at work.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Lumbar MRI without contrast: Upheld
Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.
MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.
Decision rationale: No red flags are documented. The MRI is not medically necessary.
"""
