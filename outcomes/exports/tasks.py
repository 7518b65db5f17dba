from celery import shared_task


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def run_export(export_id: int) -> bool:
    """Make one export (`services.export_run`): safe to run twice, and again after a worker died."""
    from .services import export_run

    return export_run(export_id=export_id)


@shared_task
def sweep_exports() -> int:
    """Delete export files past their 24 hours and queue again the jobs left unfinished (every 15
    minutes; safe to run twice). Returns how many expired."""
    from .services import exports_sweep

    return exports_sweep()
