"""Who is who: roster files, enrolment by invite, the viewer cache (identity) and the access rules."""
