FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY webapp webapp
COPY solver solver
COPY worker worker
RUN pip install --no-cache-dir '.[postgres]'
ENV SESSION_COOKIE_SECURE=false
EXPOSE 5000
CMD ["slotwise", "serve", "--host", "0.0.0.0", "--port", "5000"]
