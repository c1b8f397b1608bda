using Kiln.Core.Errors;

namespace Kiln.Core.Tests.Errors;

public sealed class ErrorCodesTests
{
    [Theory]
    [InlineData(ErrorCode.InvalidParameterValue, "INVALID_PARAMETER_VALUE", 400)]
    [InlineData(ErrorCode.ResourceDoesNotExist, "RESOURCE_DOES_NOT_EXIST", 404)]
    [InlineData(ErrorCode.ResourceAlreadyExists, "RESOURCE_ALREADY_EXISTS", 400)]
    [InlineData(ErrorCode.InternalError, "INTERNAL_ERROR", 500)]
    [InlineData(ErrorCode.EndpointNotFound, "ENDPOINT_NOT_FOUND", 404)]
    public void Codes_map_to_mlflow_names_and_statuses(ErrorCode code, string name, int status)
    {
        Assert.Equal(name, code.WireName());
        Assert.Equal(status, code.HttpStatus());
        Assert.Equal(code, ErrorCodes.FromWireName(name));
    }
}
